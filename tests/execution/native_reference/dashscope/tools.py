"""Let the model decide whether to call the weather tool."""

import json
import os

import dashscope

client = dashscope.Client(api_key=os.environ["DASHSCOPE_API_KEY"])

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
        model="qwen3-max",
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
