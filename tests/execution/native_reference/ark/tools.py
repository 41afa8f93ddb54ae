"""Let the model decide whether to call the weather tool."""

import json
import os

from volcenginesdkarkruntime import Ark

client = Ark(api_key=os.environ["ARK_API_KEY"])

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]


def plan(question: str) -> None:
    response = client.chat.completions.create(
        model="doubao-seed-2-0-pro-260215",
        messages=[{"role": "user", "content": question}],
        tools=TOOLS,
        tool_choice="auto",
    )
    message = response.choices[0].message
    for call in message.tool_calls or []:
        print(f"tool call: {call.function.name} {json.loads(call.function.arguments)}")
    print(f"finish reason: {response.choices[0].finish_reason}")


if __name__ == "__main__":
    plan("What's the weather like in Beijing today?")
